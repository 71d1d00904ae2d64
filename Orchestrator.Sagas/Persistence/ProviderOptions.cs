using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Update;

namespace Orchestrator.Sagas.Persistence;

public static class ProviderOptions
{
    /// <summary>The one place that says how each provider is configured: the app, <c>dotnet ef</c> and tests use it.</summary>
    public static DbContextOptionsBuilder UseProvider(this DbContextOptionsBuilder db, DatabaseProvider provider, string connectionString)
    {
        _ = provider switch
        {
            DatabaseProvider.Postgres => db.UseNpgsql(PostgresConnectionDefaults.Apply(connectionString), npgsql => npgsql.EnableRetryOnFailure()),
            DatabaseProvider.SqlServer => db.UseSqlServer(connectionString, sql => sql.EnableRetryOnFailure()),
            _ => SqliteConnectionWithoutFunctions.Use(db.UseSqlite(connectionString).AddInterceptors(SqliteTuning.For(connectionString)))
                .ReplaceService<IModificationCommandBatchFactory, SqliteBatchedWrites>(),
        };
        return db.AddInterceptors(DatabaseCounter.Instance).UseSnakeCaseNamingConvention();
    }

    /// <summary>A context of the provider's own type (the one its migrations belong to), outside any container.</summary>
    public static OrchestratorDbContext CreateContext(DatabaseProvider provider, string connectionString) => provider switch
    {
        DatabaseProvider.Postgres => new PostgresOrchestratorDbContext(Options<PostgresOrchestratorDbContext>(provider, connectionString)),
        DatabaseProvider.SqlServer => new SqlServerOrchestratorDbContext(Options<SqlServerOrchestratorDbContext>(provider, connectionString)),
        _ => new SqliteOrchestratorDbContext(Options<SqliteOrchestratorDbContext>(provider, connectionString)),
    };

    static DbContextOptions<TContext> Options<TContext>(DatabaseProvider provider, string connectionString)
        where TContext : OrchestratorDbContext
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        builder.UseProvider(provider, connectionString);
        return builder.Options;
    }
}
