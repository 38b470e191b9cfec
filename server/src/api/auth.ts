// Authentication and roles for /api/v1 (issue 5 section 5; ARCHITECTURE.md
// "Roles"). Choice: POST /api/v1/login exchanges a username and password for
// an opaque bearer token (`Authorization: Bearer <token>`), valid for
// SESSION_TTL_MS. Why not HTTP Basic: the password would travel, and be
// scrypt-checked (tens of ms of CPU), on every request; a token is checked
// with one indexed lookup, can be revoked (logout) and expires on its own.
//
// Roles: an `auditor` may read (GET); an `operator` may read and write.
// No token or an unknown/expired one -> 401; a valid token without the
// role -> 403.
import type { RequestHandler } from 'express';
import type { OfficeUser, Role, UserService } from '../registry/users.js';
import { ApiError } from './errors.js';

const BEARER_PATTERN = /^Bearer ([A-Za-z0-9_-]{20,200})$/;

const ROLE_RANK: Record<Role, number> = { auditor: 1, operator: 2 };

declare module 'express-serve-static-core' {
  interface Request {
    officeUser?: OfficeUser;
  }
}

/** Reads the bearer token; 401 when it is missing, malformed, unknown or expired. */
export function authenticate(users: UserService): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (!header) {
      next(new ApiError(401, 'unauthenticated', 'log in first: POST /api/v1/login, then send Authorization: Bearer <token>'));
      return;
    }
    const match = BEARER_PATTERN.exec(header);
    const user = match ? users.authenticate(match[1]!) : undefined;
    if (!user) {
      next(new ApiError(401, 'unauthenticated', 'the token is unknown or has expired; log in again'));
      return;
    }
    req.officeUser = user;
    next();
  };
}

/** 403 unless the authenticated user holds `role` or a higher one. */
export function requireRole(role: Role): RequestHandler {
  return (req, _res, next) => {
    const user = req.officeUser;
    if (!user) {
      next(new ApiError(401, 'unauthenticated', 'log in first'));
      return;
    }
    if (ROLE_RANK[user.role] < ROLE_RANK[role]) {
      next(new ApiError(403, 'forbidden', `this needs the ${role} role; ${user.username} is ${user.role}`));
      return;
    }
    next();
  };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? BEARER_PATTERN.exec(header) : null;
  return match ? match[1] : undefined;
}
