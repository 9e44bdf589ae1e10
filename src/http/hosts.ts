import { isIP } from 'node:net';

/** The host name of a Host header value (`[::1]:4000` → `::1`, `Example.com.:80` → `example.com`). */
export function hostnameOf(hostHeader: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(hostHeader);
  const name = bracketed?.[1] ?? hostHeader.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}

/** localhost, 127.0.0.0/8 or ::1: names and addresses that never leave the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (name === 'localhost' || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** 0.0.0.0 or :: (every interface). */
export function isWildcardAddress(hostname: string): boolean {
  return hostname === '0.0.0.0' || hostname === '::' || hostname === '[::]';
}
