// The token provider (client side) and protectApi (server side) land here.
export {};
