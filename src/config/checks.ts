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

interface Cidr {
  address: string;
  family: 'ipv4' | 'ipv6';
  prefix: number;
}

function parseCidr(value: string): Cidr | null {
  const [address, prefix, ...rest] = value.split('/');
  if (address === undefined || rest.length > 0) return null;
  const family = net.isIP(address);
  if (family === 0) return null;
  const bits = family === 4 ? 32 : 128;
  if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits)) return null;
  return { address, family: family === 4 ? 'ipv4' : 'ipv6', prefix: prefix === undefined ? bits : Number(prefix) };
}

export const checkProxy: Check = {
  type: 'an IP address or CIDR',
  problem: (value) => {
    if (value === '*' || value.toLowerCase() === 'true') return 'would trust every client; list the IPs or CIDRs of the reverse proxies';
    const cidr = parseCidr(value);
    if (cidr === null) return 'is not an IP address or CIDR';
    // Fastify's proxy-addr cannot even compile a /0, and it would let any client forge its IP.
    return cidr.prefix === 0 ? 'is the whole address space (/0): it would let any client forge X-Forwarded-For' : null;
  },
};

/** Private, loopback, link-local and shared (CGNAT) ranges, where reverse proxies of one site live. */
const PRIVATE_RANGES: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['::1', 128, 'ipv6'],
];
/** "A few addresses": at most 16 public addresses per entry. */
const FEW_ADDRESSES_PREFIX = { ipv4: 28, ipv6: 124 } as const;

/**
 * Why a TRUST_PROXY entry is too wide for production, or null: an entry must be a few addresses
 * (/28, /124 or narrower) or lie inside one private network (docs/security.md §11).
 */
export function wideProxyReason(value: string): string | null {
  const cidr = parseCidr(value);
  if (cidr === null || cidr.prefix >= FEW_ADDRESSES_PREFIX[cidr.family]) return null;
  const inside = PRIVATE_RANGES.some(([network, prefix, family]) => {
    if (family !== cidr.family || cidr.prefix < prefix) return false;
    const range = new net.BlockList();
    range.addSubnet(network, prefix, family);
    return range.check(cidr.address, family);
  });
  return inside ? null : `${JSON.stringify(value)} is wider than a private network or a few addresses (/${FEW_ADDRESSES_PREFIX[cidr.family]})`;
}

/** The production refusals an operator may deliberately accept (SECURITY_OVERRIDES, docs/security.md §11). */
export const OVERRIDABLE = ['TRUST_PROXY', 'RATE_LIMIT_ENABLED', 'DOCS_ENABLED', 'BRUTE_FORCE_IP_MAX_FAILURES'] as const;
export type Overridable = (typeof OVERRIDABLE)[number];

export const checkOverridable: Check = {
  type: OVERRIDABLE.join(' | '),
  problem: (value) => ((OVERRIDABLE as readonly string[]).includes(value) ? null : `cannot be overridden (only ${OVERRIDABLE.join(', ')})`),
};

const ROLES = ['admin', 'responsable', 'technicien', 'client'];

export const checkRoleOrNone: Check = {
  type: `${ROLES.join(' | ')} | none`,
  problem: (value) => (ROLES.includes(value) || value === 'none' ? null : `must be one of ${ROLES.join(', ')} or none`),
};
