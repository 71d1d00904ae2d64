using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Orchestrator.Sagas.Persistence;

public static class DatabaseRegistration
{
    public const string ConnectionStringName = "Orchestrator";

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

        _ = options.Provider switch
        {
            DatabaseProvider.Postgres => builder.Services.AddDbContext<OrchestratorDbContext, PostgresOrchestratorDbContext>(
                db => db.UseProvider(options.Provider, connectionString)),
            DatabaseProvider.SqlServer => builder.Services.AddDbContext<OrchestratorDbContext, SqlServerOrchestratorDbContext>(
                db => db.UseProvider(options.Provider, connectionString)),
            _ => builder.Services.AddDbContext<OrchestratorDbContext, SqliteOrchestratorDbContext>(
                db => db.UseProvider(options.Provider, connectionString)),
        };

        builder.Services.AddSingleton(new DatabaseSchema(options.MigrateOnStart));
        builder.Services.AddHealthChecks().AddCheck<DatabaseReadinessCheck>("database", tags: ["ready"]);

        if (options.MigrateOnStart)
            builder.Services.AddHostedService<DatabaseMigrator>();

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
