using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.Sagas.Persistence;

/// <summary>Ready when the schema is in place and the database answers a query now.</summary>
public sealed class DatabaseReadinessCheck(IServiceScopeFactory scopes, DatabaseSchema schema) : IHealthCheck
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!schema.IsReady)
            return HealthCheckResult.Unhealthy("The schema is not migrated yet: the database is not answering");
        try
        {
            // Straight through the connection, not the provider's retrying execution strategy: a probe answers
            // within seconds. A real query, not only an open: a pooled connection to a restarted server fails here.
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(Timeout);
            await using var scope = scopes.CreateAsyncScope();
            // Opened and closed through EF Core: the context is pooled, and a connection left open behind its back
            // would stay open with it, held by an idle context.
            var database = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>().Database;
            await database.OpenConnectionAsync(limit.Token);
            try
            {
                await using var command = database.GetDbConnection().CreateCommand();
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(limit.Token);
                return HealthCheckResult.Healthy();
            }
            finally
            {
                await database.CloseConnectionAsync();
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The database does not answer: {e.Message}", e);
        }
    }
}
