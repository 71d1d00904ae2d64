using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Api.Tasks;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.IntegrationTests.Api.Tasks;

/// <summary>
/// On PostgreSQL, whose connections retry (EnableRetryOnFailure), the recorder writes tasks submitted together
/// in one SaveChanges of its own: a transaction begun by the recorder was refused by the retrying strategy, every
/// batch failed, and each task was written again alone after an error.
/// </summary>
public sealed class TaskRecorderOnPostgresTests
{
    [Fact]
    public async Task Tasks_submitted_together_are_recorded_without_a_failed_write()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using (var db = ProviderOptions.CreateContext(DatabaseProvider.Postgres, database.ConnectionString))
            await DatabaseMigrator.MigrateAsync(db, CancellationToken.None);
        var failures = new FailedSaves();
        var options = new DbContextOptionsBuilder<PostgresOrchestratorDbContext>();
        options.UseProvider(DatabaseProvider.Postgres, database.ConnectionString).AddInterceptors(failures);
        await using var services = new ServiceCollection()
            .AddScoped<OrchestratorDbContext>(_ => new PostgresOrchestratorDbContext(options.Options))
            .BuildServiceProvider();
        using var recorder = new TaskRecorder(services.GetRequiredService<IServiceScopeFactory>(),
            Microsoft.Extensions.Options.Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Postgres }));

        var tasks = Enumerable.Range(0, 30)
            .Select(_ => ResearchTaskState.Accept(Guid.NewGuid(), "Solar panels", 10, "voice", "owner", DateTime.UtcNow)).ToList();
        await Task.WhenAll(tasks.Select(recorder.RecordAsync));

        await using var check = ProviderOptions.CreateContext(DatabaseProvider.Postgres, database.ConnectionString);
        Assert.Equal(30, await check.ResearchTasks.CountAsync());
        Assert.Equal(0, failures.Count);
    }

    sealed class FailedSaves : SaveChangesInterceptor
    {
        int _count;

        public int Count => Volatile.Read(ref _count);

        public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
