-- Run by the one-shot `sqlserver-grants` as orchestrator_migrator, after every `migrate` (a table that a migration
-- re-creates loses its permissions): audit_events is append-only for the application. db_datawriter grants it
-- UPDATE and DELETE on every table; a DENY wins over that. TRUNCATE TABLE needs ALTER, which it does not have.
-- The PostgreSQL equivalent is in docs/operations.md ("`audit_events` is append-only").
USE orchestrator;
GO

IF OBJECT_ID(N'dbo.audit_events', N'U') IS NOT NULL
    EXEC (N'DENY UPDATE, DELETE ON dbo.audit_events TO orchestrator_app;');
ELSE
    PRINT N'dbo.audit_events does not exist: nothing to deny.';
GO
