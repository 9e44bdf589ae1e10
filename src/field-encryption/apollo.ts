/** The Apollo Server side of field encryption: the plugin that writes each request's reveals to the reveal record. */

export { type RevealRecordOptions, revealRecordPlugin } from './audit/reveal-record-plugin.ts';
