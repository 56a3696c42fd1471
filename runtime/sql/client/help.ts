// The SQL client's HELP text (Flink's client lists the same commands).
export const HELP_TEXT = `The following commands are available:

CLEAR		Clears the current terminal.
CREATE TABLE		Create table under current catalog and database.
DROP TABLE		Drop table with optional catalog and database. Syntax: 'DROP TABLE [IF EXISTS] <name>;'
CREATE VIEW		Creates a virtual table from a SQL query. Syntax: 'CREATE VIEW <name> AS <query>;'
DESCRIBE		Describes the schema of a table with the given name.
DROP VIEW		Deletes a previously created virtual table. Syntax: 'DROP VIEW <name>;'
EXPLAIN		Describes the execution plan of a query or table with the given name.
HELP		Prints the available commands.
INSERT INTO		Inserts the results of a SQL SELECT query into a declared table sink.
QUIT		Quits the SQL CLI client.
RESET		Resets a session configuration property. Syntax: 'RESET <key>;'. Use 'RESET;' for reset all session properties.
SELECT		Executes a SQL SELECT query on the local runtime and shows its rows.
SET		Sets a session configuration property. Syntax: 'SET <key>=<value>;'. Use 'SET;' for listing all properties.
SHOW FUNCTIONS		Shows all user-defined and built-in functions or only user-defined functions. Syntax: 'SHOW [USER] FUNCTIONS;'
SHOW TABLES		Shows all registered tables.
SHOW JOBS		Shows the jobs this client started and their status.
STOP JOB		Stops a job this client started. Syntax: 'STOP JOB '<job id>' [WITH SAVEPOINT] [WITH DRAIN];' (the savepoint goes to 'execution.checkpointing.savepoint-dir'; SET 'execution.savepoint.path' makes INSERTs start from one)
USE CATALOG		Sets the current catalog. Syntax: 'USE CATALOG <name>;'
USE		Sets the current default database. Syntax: 'USE <name>;'
BEGIN STATEMENT SET		Begins a statement set. Syntax: 'BEGIN STATEMENT SET;'
END		Ends a statement set and runs its INSERTs as one job. Syntax: 'END;'

Hint: Make sure that a statement ends with ";" for finalizing (multi-line) statements.
Result modes: SET 'sql-client.execution.result-mode' = 'table' | 'changelog' | 'tableau';
A SELECT runs until its sources end; Ctrl-C stops it and shows what arrived.
'table.dml-sync' = 'true' makes INSERT wait for its job to finish.`;
