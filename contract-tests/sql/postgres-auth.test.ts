import { describeAuthOnSql } from './auth-suites.js';
import { postgresServer } from './sql-backends.js';

describeAuthOnSql(postgresServer);
