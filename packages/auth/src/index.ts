// The token provider (client side) and protectApi (server side) land here.
export {
  BearerError,
  protectApi,
  type ProtectApiOptions,
  type ProtectedApi,
} from './protect-api.js';
export {
  issuerReadiness,
  type IssuerReadinessOptions,
  type Readiness,
  type ReadinessCheck,
} from './readiness.js';
