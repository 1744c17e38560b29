import { loadConfigOrExit, serviceVars } from '@repo/config';

/** Every variable worldmappers-api reads. */
export const configShape = {
  ...serviceVars(7001),
};

export const loadConfig = () => loadConfigOrExit(configShape, { service: 'worldmappers-api' });
