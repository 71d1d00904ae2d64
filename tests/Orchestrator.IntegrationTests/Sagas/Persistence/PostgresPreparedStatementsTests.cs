using Microsoft.EntityFrameworkCore;

namespace Orchestrator.IntegrationTests.Sagas.Persistence;

/// <summary>
/// On PostgreSQL the service's connections prepare the statements they run often (<see cref="PostgresConnectionDefaults"/>):
/// the server then parses and plans each once per connection, not on every run.
/// </summary>
public sealed class PostgresPreparedStatementsTests
{
    [Fact]
    public async Task A_query_run_again_and_again_is_prepared_on_its_connection()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var db = ProviderOptions.CreateContext(DatabaseProvider.Postgres, database.ConnectionString);
        await DatabaseMigrator.MigrateAsync(db, CancellationToken.None);
        await db.Database.OpenConnectionAsync();
        var taskId = Guid.NewGuid();

        for (var i = 0; i < 10; i++)
            _ = await db.ResearchTasks.AsNoTracking().Where(t => t.CorrelationId == taskId).Select(t => t.CurrentState).FirstOrDefaultAsync();

        var prepared = await db.Database
            .SqlQuery<string>($"SELECT statement AS \"Value\" FROM pg_prepared_statements")
            .ToListAsync();
        Assert.Contains(prepared, statement => statement.Contains("research_tasks", StringComparison.Ordinal));
    }
}
