/**
 * London time for the deployment pages. The helpers live in lib/time/london.ts so the server's
 * own messages (a refusal to go live before the window opens) say times the same way.
 */
export * from '@/lib/time/london';
