import type { Account } from '../../../domain/wallet/account.ts';
import type { AccountRepository } from '../../../domain/wallet/account.repository.ts';
import { KycErrors, maskIdNumber, parseIdentity, type IdentityCipher } from '../../../domain/wallet/kyc.ts';
import { WalletErrors } from '../../../domain/wallet/wallet.errors.ts';

/**
 * An operator verified an account holder's identity document: the account becomes REGISTERED.
 * The document is sealed before it reaches the repository (only the masked number is kept in
 * clear); the row records which operator verified it and when, the audit of the action.
 */
export class VerifyAccountHandler {
  private readonly accounts: AccountRepository;
  private readonly cipher: IdentityCipher;

  constructor(accounts: AccountRepository, cipher: IdentityCipher) {
    this.accounts = accounts;
    this.cipher = cipher;
  }

  async execute(input: {
    accountId: string;
    idType: string;
    idNumber: string;
    name?: string | null;
    operator: string;
  }): Promise<{ before: Account; after: Account; idNumberMasked: string }> {
    const doc = parseIdentity(input);
    const idNumberMasked = maskIdNumber(doc.idNumber);
    const { before, after } = await this.accounts.register(
      input.accountId,
      {
        idType: doc.idType,
        idNumberSealed: this.cipher.encrypt(doc.idNumber),
        nameSealed: doc.name === null ? null : this.cipher.encrypt(doc.name),
        idNumberMasked,
        verifiedBy: input.operator,
        verifiedAt: new Date(),
      },
      (locked) => {
        // Only a customer's account has a holder to verify; a merchant's or the bank's has none.
        if (locked.systemCode || locked.userId === null) throw WalletErrors.systemAccount();
        if (locked.kycTier === 'REGISTERED') throw KycErrors.alreadyRegistered();
        if (locked.status === 'CLOSED') throw WalletErrors.accountNotActive(locked.status);
      },
    );
    return { before, after, idNumberMasked };
  }
}
