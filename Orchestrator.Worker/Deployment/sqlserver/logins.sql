-- Run by the one-shot `sqlserver-init` as sa, before `migrate`: the database and its two logins. Idempotent; a run
-- with other passwords sets them again (that is how they are rotated).
--   orchestrator_migrator  db_owner: creates and alters the schema; used only by `migrate` and `sqlserver-grants`
--   orchestrator_app       db_datareader and db_datawriter: rows only, no DDL; used by the Api and the Workers
IF DB_ID(N'orchestrator') IS NULL
    CREATE DATABASE orchestrator;
GO

IF SUSER_ID(N'orchestrator_migrator') IS NULL
    CREATE LOGIN orchestrator_migrator WITH PASSWORD = N'$(MIGRATOR_PASSWORD)', DEFAULT_DATABASE = orchestrator;
ELSE
    ALTER LOGIN orchestrator_migrator WITH PASSWORD = N'$(MIGRATOR_PASSWORD)';

IF SUSER_ID(N'orchestrator_app') IS NULL
    CREATE LOGIN orchestrator_app WITH PASSWORD = N'$(APP_PASSWORD)', DEFAULT_DATABASE = orchestrator;
ELSE
    ALTER LOGIN orchestrator_app WITH PASSWORD = N'$(APP_PASSWORD)';
GO

USE orchestrator;
GO

IF USER_ID(N'orchestrator_migrator') IS NULL
    CREATE USER orchestrator_migrator FOR LOGIN orchestrator_migrator WITH DEFAULT_SCHEMA = dbo;
ALTER ROLE db_owner ADD MEMBER orchestrator_migrator;

IF USER_ID(N'orchestrator_app') IS NULL
    CREATE USER orchestrator_app FOR LOGIN orchestrator_app WITH DEFAULT_SCHEMA = dbo;
ALTER ROLE db_datareader ADD MEMBER orchestrator_app;
ALTER ROLE db_datawriter ADD MEMBER orchestrator_app;
GO
