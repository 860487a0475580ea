/**
 * The message payload schemas for the edges (admin endpoint, CLI), built at load, with their
 * types. Workflows use domain/message-schemas.ts directly, which builds them only when needed.
 */
import type { z } from 'zod';
import { describeZodError, messageSchemas, type MessageSchemas } from './message-schemas';

const s = messageSchemas();
export const decisionSchema = s.decision;
export const paymentAppliedSchema = s.paymentApplied;
export const promiseToPaySchema = s.promiseToPay;
export const disputeOpenedSchema = s.disputeOpened;
export const disputeResolvedSchema = s.disputeResolved;
export const pauseSchema = s.pause;
export const resumeSchema = s.resume;

export type Decision = z.infer<MessageSchemas['decision']>;
export type PaymentApplied = z.infer<MessageSchemas['paymentApplied']>;
export type PromiseToPay = z.infer<MessageSchemas['promiseToPay']>;
export type DisputeOpened = z.infer<MessageSchemas['disputeOpened']>;
export type DisputeResolved = z.infer<MessageSchemas['disputeResolved']>;
export type Pause = z.infer<MessageSchemas['pause']>;
export type Resume = z.infer<MessageSchemas['resume']>;

export { describeZodError };
