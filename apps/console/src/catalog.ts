import { DEMO_CLIENTS, type DemoClientId } from '@repo/contracts';

/** A protected route the console knows: where it is, the audience and the scope it demands. */
export interface RouteInfo {
  id: string;
  service: 'worldmappers-api' | 'giftdeliveries';
  method: 'GET' | 'POST';
  /** With an example query, as "try it" sends it. */
  path: string;
  audience: string;
  scope: string;
  body?: Record<string, string>;
}

/** The APIs' routes, with the scope each one requires (as the apps' routers declare them). */
export const ROUTES: readonly RouteInfo[] = [
  {
    id: 'geocode',
    service: 'worldmappers-api',
    method: 'GET',
    path: '/api/location/geocode?address=Kyoto&country=JP',
    audience: 'urn:worldmappers',
    scope: 'geocode:location',
  },
  {
    id: 'reverse-geocode',
    service: 'worldmappers-api',
    method: 'GET',
    path: '/api/location/reverse-geocode?lat=35.0116&lng=135.7681',
    audience: 'urn:worldmappers',
    scope: 'reverse-geocode:location',
  },
  {
    id: 'directions',
    service: 'worldmappers-api',
    method: 'GET',
    path: '/api/directions?origin=Rovaniemi,FI&destination=Oslo,NO',
    audience: 'urn:worldmappers',
    scope: 'directions',
  },
  {
    id: 'list-deliveries',
    service: 'giftdeliveries',
    method: 'GET',
    path: '/deliveries?limit=5',
    audience: 'urn:giftdeliveries',
    scope: 'deliveries:read',
  },
];

/** The seeded clients "try it" calls as (the console's own client only reads events). */
export const TRY_CLIENTS = (Object.keys(DEMO_CLIENTS) as DemoClientId[]).filter(
  (id) => id !== 'console',
);

/** Which audience a client asks for when calling a route's API: the route's. */
export const routeById = (id: unknown) => ROUTES.find((route) => route.id === id);
