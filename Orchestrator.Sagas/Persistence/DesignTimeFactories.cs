using Microsoft.EntityFrameworkCore.Design;

namespace Orchestrator.Sagas.Persistence;

// Used only by `dotnet ef migrations add`: migrations are generated without a database server.

sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOrchestratorDbContext>
{
    public SqliteOrchestratorDbContext CreateDbContext(string[] args) =>
        (SqliteOrchestratorDbContext)ProviderOptions.CreateContext(DatabaseProvider.Sqlite, "Data Source=design.db");
}

sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOrchestratorDbContext>
{
    public PostgresOrchestratorDbContext CreateDbContext(string[] args) =>
        (PostgresOrchestratorDbContext)ProviderOptions.CreateContext(DatabaseProvider.Postgres, "Host=localhost");
}

sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerOrchestratorDbContext>
{
    public SqlServerOrchestratorDbContext CreateDbContext(string[] args) =>
        (SqlServerOrchestratorDbContext)ProviderOptions.CreateContext(DatabaseProvider.SqlServer, "Server=localhost");
}
