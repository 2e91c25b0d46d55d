// The helpers live in tests/_support; this name stays for the suites that import it.
export * from '../_support/rest.ts';
