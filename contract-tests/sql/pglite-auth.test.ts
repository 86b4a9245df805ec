import { describeAuthOnSql } from './auth-suites.js';
import { pgliteInMemory } from './sql-backends.js';

describeAuthOnSql(pgliteInMemory);
