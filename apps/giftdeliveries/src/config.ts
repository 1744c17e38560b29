import { loadConfigOrExit, serviceVars } from '@repo/config';

/** Every variable giftdeliveries reads. */
export const configShape = {
  ...serviceVars(7002),
};

export const loadConfig = () => loadConfigOrExit(configShape, { service: 'giftdeliveries' });
