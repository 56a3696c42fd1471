import { sqlProblemMessage, validateSqlSource } from './sql-source.ts';

const SRC = "CREATE TABLE src (id BIGINT, name STRING) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100');";
const OUT = "CREATE TABLE out (id BIGINT, name STRING) WITH ('connector' = 'print');";

describe('a Deployment\'s inline SQL, checked before any pod exists', () => {
  test('a runnable insert-only script passes', () => {
    expect(validateSqlSource(`${SRC}\n${OUT}\nINSERT INTO out SELECT id, UPPER(name) FROM src WHERE id % 2 = 0;`)).toBeUndefined();
  });

  test('every failing statement is named with its line and column in one message', () => {
    const p = validateSqlSource(`${SRC}\n${OUT}\nINSERT INTO out SELECT id, nme FROM src;\nINSERT INTO nowhere SELECT id, name FROM src;`);
    expect(p?.reason).toBe('InvalidSql');
    expect(p?.message).toMatch(/^spec\.source\.sql: line 3, column 28: Column 'nme' not found in any table \(MR_ERR_SQL_VALIDATE\); line 4, column 13: .*nowhere.*; fix the statements and apply again/);
    // Text that is not SQL: every statement's parse error (the parser goes on at the next ';').
    const parse = validateSqlSource(`${SRC}\nINSERT INTO out SELEC id FROM src;\nCREATE TABEL x (a INT);`);
    expect(parse?.message).toMatch(/^spec\.source\.sql: line 2, column 17: expected SELECT, VALUES or WITH but found 'SELEC' \(MR_ERR_SQL_PARSE\); line 3, column 8: .*'TABEL'.*\(MR_ERR_SQL_PARSE\)/);
  });

  test('a SELECT has no client in a Deployment; connector options are checked as the job would build them', () => {
    expect(validateSqlSource(`${SRC}\nSELECT * FROM src;`)?.message).toMatch(/^spec\.source\.sql: line 2, column 1: a SELECT returns its rows to a client, which a deployed job does not have; write INSERT INTO a table .*\(MR_ERR_SQL_UNSUPPORTED\)/);
    const badOption = validateSqlSource(`CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = 'fast');\n${OUT.replace('name STRING', 'n BIGINT')}\nINSERT INTO out SELECT id, id FROM src;`);
    expect(badOption?.message).toMatch(/^spec\.source\.sql: line 3, column 1: .*rows-per-second/);
  });

  test('the Deployment\'s configuration is the session\'s, as in the pods: batch mode allows INSERT OVERWRITE', () => {
    const overwrite = `${SRC}\n${OUT}\nINSERT OVERWRITE out SELECT * FROM src;`;
    expect(validateSqlSource(overwrite)?.message).toMatch(/^spec\.source\.sql: line 3, column 1: INSERT OVERWRITE is not supported in streaming mode/);
    expect(validateSqlSource(overwrite, { 'execution.runtime-mode': 'batch' })).toBeUndefined();
  });

  test('a secret reference is never read by the operator: it passes the check', () => {
    expect(validateSqlSource(`${SRC}\nCREATE TABLE out (id BIGINT, name STRING) WITH ('connector' = 'print', 'print-identifier' = '\${secret:print-conf/prefix}');\nINSERT INTO out SELECT * FROM src;`)).toBeUndefined();
  });

  test('Kafka over TLS with a private CA and a client keystore from Secrets passes: those files exist only in the pods, where the job opens them', () => {
    const kafka = (extra: string) => `CREATE TABLE k (id BIGINT, name STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'kafka:9093', 'format' = 'json', 'properties.security.protocol' = 'SASL_SSL', 'properties.sasl.mechanism' = 'SCRAM-SHA-256', 'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="app" password="\${secret:kafka/password}";'${extra});\n${SRC}\nINSERT INTO k SELECT * FROM src;`;
    expect(validateSqlSource(kafka(", 'properties.ssl.truststore.type' = 'PEM', 'properties.ssl.truststore.location' = '/etc/millrace/secrets/kafka-ca/ca.pem'"))).toBeUndefined();
    expect(validateSqlSource(kafka(", 'properties.ssl.truststore.type' = 'PEM', 'properties.ssl.truststore.certificates' = '${secret:kafka-ca/ca.pem}', 'properties.ssl.keystore.type' = 'PKCS12', 'properties.ssl.keystore.location' = '/etc/millrace/secrets/kafka-client/client.p12', 'properties.ssl.keystore.password' = '${secret:kafka-client/password}'"))).toBeUndefined();
    // the options themselves are still checked here
    expect(validateSqlSource(kafka(", 'properties.ssl.truststore.location' = '/etc/millrace/secrets/kafka-ca/ca.pem'"))?.message).toMatch(/properties\.ssl\.truststore\.location' without 'properties\.ssl\.truststore\.type' is a JKS truststore/);
    expect(validateSqlSource(kafka(", 'properties.ssl.truststore.type' = 'PEM', 'properties.ssl.truststore.certificates' = 'not a certificate'"))?.message).toMatch(/holds no PEM certificate/);
  });

  test('a TypeScript UDF does not load from the operator\'s or a pod\'s file system: without its declared types (sql-modules.ts) the call is named with where modules belong', () => {
    const p = validateSqlSource(`CREATE FUNCTION count_char AS 'udf/count-char.ts#count_char' LANGUAGE JAVASCRIPT;\n${SRC}\n${OUT.replace('name STRING', 'n BIGINT')}\nINSERT INTO out SELECT id, count_char(name, 'c') FROM src;`);
    expect(p?.message).toMatch(/^spec\.source\.sql: line 4, column 28: function 'count_char' \('udf\/count-char\.ts#count_char'\): module 'udf\/count-char\.ts' was not pinned for this job; in a Deployment, function modules are files of the workspace bucket's sql-artifacts\/namespaces\/<namespace>\//);
  });

  test('a script without an INSERT has nothing to run; long lists are cut with a count', () => {
    expect(validateSqlSource(SRC)?.message).toMatch(/no INSERT INTO or statement set: there is nothing to run as a job/);
    const many = Array.from({ length: 8 }, (_, i) => ({ code: 'MR_ERR_SQL_VALIDATE' as const, message: `problem ${i}`, line: i + 1, column: 1 }));
    const m = sqlProblemMessage(many);
    expect(m).toContain('line 5, column 1: problem 4');
    expect(m).not.toContain('problem 5');
    expect(m).toContain('and 3 more');
  });
});
