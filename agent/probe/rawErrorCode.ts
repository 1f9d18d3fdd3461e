/**
 * raw-socket reports errors as plain `Error`s carrying only glibc's strerror text (no `.code`,
 * no `.errno`), so this is the one place that turns that text back into an errno name.
 */
const CODE_OF_STRERROR: ReadonlyMap<string, RawErrorCode> = new Map<string, RawErrorCode>([
  ['Message too long', 'EMSGSIZE'],
  ['No buffer space available', 'ENOBUFS'],
  ['Resource temporarily unavailable', 'EAGAIN'],
  ['Operation not permitted', 'EPERM'],
  ['Permission denied', 'EACCES'],
  ['No such device', 'ENODEV'],
  ['Invalid argument', 'EINVAL'],
  ['Transport endpoint is not connected', 'ENOTCONN'],
  ['Network is unreachable', 'ENETUNREACH'],
  ['No route to host', 'EHOSTUNREACH'],
  ['Cannot assign requested address', 'EADDRNOTAVAIL'],
  ['Address family not supported by protocol', 'EAFNOSUPPORT'],
  ['Protocol not supported', 'EPROTONOSUPPORT'],
  ['Network is down', 'ENETDOWN'],
  ['Host is down', 'EHOSTDOWN'],
  ['Bad file descriptor', 'EBADF'],
]);

export type RawErrorCode =
  | 'EMSGSIZE' | 'ENOBUFS' | 'EAGAIN' | 'EPERM' | 'EACCES' | 'ENODEV' | 'EINVAL' | 'ENOTCONN'
  | 'ENETUNREACH' | 'EHOSTUNREACH' | 'EADDRNOTAVAIL' | 'EAFNOSUPPORT' | 'EPROTONOSUPPORT'
  | 'ENETDOWN' | 'EHOSTDOWN' | 'EBADF';

/** The errno name behind a raw-socket error, or null when the text is not one we know. */
export function rawErrorCode(error: unknown): RawErrorCode | null {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : null;
  if (message === null) return null;
  return CODE_OF_STRERROR.get(message.trim()) ?? null;
}
