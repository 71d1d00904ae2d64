using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Orchestrator.Sagas.Persistence;

// Used only by `dotnet ef migrations add`: migrations are generated without a database server.

sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOrchestratorDbContext>
{
    public SqliteOrchestratorDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<SqliteOrchestratorDbContext>()
            .UseSqlite("Data Source=design.db").UseSnakeCaseNamingConvention().Options);
}

sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOrchestratorDbContext>
{
    public PostgresOrchestratorDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<PostgresOrchestratorDbContext>()
            .UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options);
}

sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerOrchestratorDbContext>
{
    public SqlServerOrchestratorDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<SqlServerOrchestratorDbContext>()
            .UseSqlServer("Server=localhost").UseSnakeCaseNamingConvention().Options);
}
