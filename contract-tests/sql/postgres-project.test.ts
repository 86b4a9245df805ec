import { describeProjectOnSql } from './project-suites.js';
import { postgresServer } from './sql-backends.js';

describeProjectOnSql(postgresServer);
