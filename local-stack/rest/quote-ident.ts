// The one definition lives with the database code, which the Realtime engine shares.
export { quoteIdent } from '../db/quote-ident.ts';
