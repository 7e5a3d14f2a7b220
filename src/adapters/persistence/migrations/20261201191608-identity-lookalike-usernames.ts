import { Migration } from '@mikro-orm/migrations';
import { usernameProblem } from '../../../domain/identity/credentials.ts';

/**
 * Usernames registered before the look-alike rule that the rule now refuses (digits only, a phone
 * number in any accepted form, an `@`): each is renamed to `renamed_<id>` (with a `_<n>` suffix in
 * the unlikely case that is taken), and the old name is kept in `username_renames` for operators
 * and support. The account, balance, history, email, phone and password stay as they are: the owner
 * logs in with their phone, their email or the new name. Lookups already ignore such names (an
 * identifier that parses as a phone or an email is looked up only as one); renaming also stops the
 * name from being shown to the people they pay as if it were a phone number.
 *
 * The domain's rule (usernameProblem) decides, not a SQL copy of it; the SQL only narrows the scan
 * to names without a letter or with an `@`, the only ones the rule can refuse on these grounds.
 */
export class Migration20261201191608IdentityLookalikeUsernames extends Migration {
  override name = '20261201191608-identity-lookalike-usernames';

  override async up(): Promise<void> {
    await this.execute(`create table username_renames (
      user_id integer not null references users(id) on delete cascade,
      old_username varchar(255) not null,
      new_username varchar(255) not null,
      reason text not null,
      renamed_at timestamptz not null default now()
    );`);
    await this.execute(`create index username_renames_user_id_idx on username_renames (user_id);`);
    const candidates = (await this.execute(`select id, username from users where username !~ '[A-Za-z]' or username like '%@%' order by id`)) as {
      id: number;
      username: string;
    }[];
    for (const u of candidates) {
      const problem = usernameProblem(u.username);
      if (!problem?.lookAlike) continue;
      const renamed = await this.freeName(`renamed_${u.id}`);
      await this.execute(`update users set username = ?, updated_at = now() where id = ?`, [renamed, u.id]);
      await this.execute(`insert into username_renames (user_id, old_username, new_username, reason) values (?, ?, ?, ?)`, [
        u.id,
        u.username,
        renamed,
        problem.message,
      ]);
    }
  }

  private async freeName(base: string): Promise<string> {
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base}_${n}`;
      const taken = await this.execute(`select 1 from users where lower(username) = lower(?)`, [name]);
      if (taken.length === 0) return name;
    }
  }
}
