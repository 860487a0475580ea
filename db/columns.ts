/** Column shapes every table shares: money is bigint minor units read as JS numbers, currencies ISO 4217 text. */
import { bigint, text, timestamp } from 'drizzle-orm/pg-core';

export const money = (name: string) => bigint(name, { mode: 'number' });
export const currency = (name = 'currency') => text(name).notNull();
export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
