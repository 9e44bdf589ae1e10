/**
 * The server plugins of field encryption: they write each request's reveals to the reveal record before
 * its response leaves (Apollo Server; envelop, for graphql-yoga).
 */

export { type RevealRecordEnvelopPlugin, revealRecordEnvelopPlugin } from './audit/envelop-plugin.ts';
export {
  AUDIT_UNAVAILABLE,
  type RevealRecordOptions,
  revealRecordPlugin,
  settleReveals,
} from './audit/reveal-record-plugin.ts';
