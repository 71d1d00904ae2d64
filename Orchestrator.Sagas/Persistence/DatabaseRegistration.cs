using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Orchestrator.Sagas.Persistence;

public static class DatabaseRegistration
{
    public const string ConnectionStringName = "Orchestrator";

    /// <summary>Idle contexts kept for reuse: above the consumers' and requests' usual concurrency, and bounded.</summary>
    public const int PoolSize = 128;

    /// <summary>
    /// Registers <see cref="OrchestratorDbContext"/> for the configured provider (<c>Database:Provider</c>,
    /// <c>ConnectionStrings:Orchestrator</c>) and, unless turned off, the migrations on start.
    /// </summary>
    public static IHostApplicationBuilder AddOrchestratorDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new();
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName)
            ?? DefaultSqliteConnectionString(builder.Environment, options.Provider);

        // Pooled: a context per message or request is reused, not rebuilt (its services and change tracker come
        // back reset). The pool keeps at most PoolSize idle; more at once are created and disposed as needed.
        _ = options.Provider switch
        {
            DatabaseProvider.Postgres => builder.Services.AddDbContextPool<OrchestratorDbContext, PostgresOrchestratorDbContext>(
                db => db.UseProvider(options.Provider, connectionString), PoolSize),
            DatabaseProvider.SqlServer => builder.Services.AddDbContextPool<OrchestratorDbContext, SqlServerOrchestratorDbContext>(
                db => db.UseProvider(options.Provider, connectionString), PoolSize),
            _ => builder.Services.AddDbContextPool<OrchestratorDbContext, SqliteOrchestratorDbContext>(
                db => db.UseProvider(options.Provider, connectionString), PoolSize),
        };

        builder.Services.AddSingleton(new DatabaseSchema(options.MigrateOnStart));
        builder.Services.AddHealthChecks().AddCheck<DatabaseReadinessCheck>("database", tags: ["ready"]);

        if (options.MigrateOnStart)
            builder.Services.AddHostedService<DatabaseMigrator>();
        if (options.Provider == DatabaseProvider.Sqlite)
            builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<SqliteCheckpoints>(services, connectionString));

        return builder;
    }

    /// <summary>Applies pending migrations and returns: the <c>migrate</c> command of the hosts, for a deployment step.</summary>
    public static async Task MigrateOrchestratorDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        await DatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>(), cancellationToken);
    }

    static string DefaultSqliteConnectionString(IHostEnvironment environment, DatabaseProvider provider)
    {
        if (provider != DatabaseProvider.Sqlite)
            throw new InvalidOperationException(
                $"Database:Provider is {provider}: set ConnectionStrings:{ConnectionStringName} as well.");

        var folder = Path.Combine(environment.ContentRootPath, "data");
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "orchestrator.db")}";
    }
}
