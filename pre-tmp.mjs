await import('yaml'); await import('node:tls'); await import('node:crypto');
