import { describeSimulationOnSql } from './simulation-suites.js';
import { postgresServer } from './sql-backends.js';

describeSimulationOnSql(postgresServer);
