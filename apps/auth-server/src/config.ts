import { loadConfigOrExit, serviceVars } from '@repo/config';

/** Every variable auth-server reads. */
export const configShape = {
  ...serviceVars(4000),
};

export const loadConfig = () => loadConfigOrExit(configShape, { service: 'auth-server' });
