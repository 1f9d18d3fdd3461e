// Types for raw-socket 1.8.1 (ships none), limited to what the probe transport uses.
// Facts that matter to callers are in docs/raw-sockets.md.
declare module 'raw-socket' {
  import { EventEmitter } from 'node:events';

  export interface SocketOptions {
    /** AddressFamily.IPv4 (1) or AddressFamily.IPv6 (2). */
    addressFamily?: number;
    protocol?: number;
    /** Receive buffer in bytes; default 4096, and larger packets are silently truncated. */
    bufferSize?: number;
  }

  export interface Socket extends EventEmitter {
    /** The received buffer is a view of one shared buffer: parse it before returning or copy it. */
    on(event: 'message', listener: (buffer: Buffer, source: string) => void): this;
    /** Without a listener an 'error' event throws; raw-socket closes the socket itself after poll errors. */
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'close', listener: () => void): this;
    send(
      buffer: Buffer,
      offset: number,
      length: number,
      address: string,
      beforeCallback: () => void,
      afterCallback: (error: Error | null, bytes: number) => void,
    ): this;
    send(buffer: Buffer, offset: number, length: number, address: string, afterCallback: (error: Error | null, bytes: number) => void): this;
    /** setsockopt with a 4-byte int, or with `length` bytes of a buffer. Throws strerror text. */
    setOption(level: number, option: number, value: number): void;
    setOption(level: number, option: number, value: Buffer, length: number): void;
    getOption(level: number, option: number, value: Buffer, length: number): number;
    /** Mandatory: the poll handle keeps the process alive until this is called. */
    close(): this;
    pauseRecv(): this;
    resumeRecv(): this;
    pauseSend(): this;
    resumeSend(): this;
  }

  export const AddressFamily: { IPv4: 1; IPv6: 2 } & Record<string, number | string>;
  export const Protocol: { None: 0; ICMP: 1; TCP: 6; UDP: 17; ICMPv6: 58 } & Record<string, number | string>;
  export const SocketLevel: Record<string, number>;
  export const SocketOption: Record<string, number>;

  export function createSocket(options?: SocketOptions): Socket;
  /** RFC 1071 ones' complement checksum over the buffers, already inverted. */
  export function createChecksum(...buffers: Array<Buffer | { buffer: Buffer; offset: number; length: number }>): number;
  export function writeChecksum(buffer: Buffer, offset: number, checksum: number): Buffer;
  export function htonl(n: number): number;
  export function htons(n: number): number;
  export function ntohl(n: number): number;
  export function ntohs(n: number): number;

  const raw: {
    AddressFamily: typeof AddressFamily;
    Protocol: typeof Protocol;
    SocketLevel: typeof SocketLevel;
    SocketOption: typeof SocketOption;
    createSocket: typeof createSocket;
    createChecksum: typeof createChecksum;
    writeChecksum: typeof writeChecksum;
    htonl: typeof htonl;
    htons: typeof htons;
    ntohl: typeof ntohl;
    ntohs: typeof ntohs;
  };
  export default raw;
}
