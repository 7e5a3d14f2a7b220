import { Type } from '@mikro-orm/core';
import { Money } from '../../../domain/shared/money.ts';

/** Maps the Money value object (bigint minor units) to numeric(15,2); the driver hands numerics over as text, so no float is involved. */
export class MoneyType extends Type<Money, string> {
  override convertToDatabaseValue(value: Money | string): string {
    return value instanceof Money ? value.toString() : Money.parse(String(value)).toString();
  }

  override convertToJSValue(value: Money | string): Money {
    return value instanceof Money ? value : Money.parse(String(value));
  }

  override compareAsType(): string {
    return 'string';
  }

  override getColumnType(): string {
    return 'numeric(15,2)';
  }
}
