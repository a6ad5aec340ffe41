/** Value checks of the variable table (variables.ts): each names what it accepts, for docs/configuration.md. */
import net from 'node:net';
import { isFilesKey } from './keys.js';
import type { Check } from './parsers.js';

/** `description` is both the documented type and the end of the error message ("must be ..."). */
export const matches = (pattern: RegExp, description: string): Check => ({
  type: description,
  problem: (value) => (pattern.test(value) ? null : `must be ${description}`),
});

export const checkUrl = (protocols: string[], description: string): Check => ({
  type: description,
  problem: (value) => {
    try {
      if (protocols.includes(new URL(value).protocol)) return null;
    } catch {
      // not a URL at all: same message as a wrong scheme
    }
    return `must be ${description}`;
  },
});

export const checkTimeZone: Check = {
  type: 'an IANA time zone',
  problem: (value) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
      return null;
    } catch {
      return 'must be an IANA time zone such as Africa/Casablanca';
    }
  },
};

export const checkEmail = matches(/^[^\s@]+@[^\s@]+$/, 'an e-mail address');

export const checkFilesKey: Check = {
  type: 'the base64url encoding of 32 bytes',
  problem: (value) => (isFilesKey(value) ? null : 'is not the base64url encoding of exactly 32 bytes'),
};

function isIpOrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (address === undefined || rest.length > 0) return false;
  const family = net.isIP(address);
  if (family === 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export const checkProxy: Check = {
  type: 'an IP address or CIDR',
  problem: (value) => {
    if (value === '*' || value.toLowerCase() === 'true') return 'would trust every client; list the IPs or CIDRs of the reverse proxies';
    return isIpOrCidr(value) ? null : 'is not an IP address or CIDR';
  },
};
