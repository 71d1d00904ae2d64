using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Tasks;
using Orchestrator.Tests.Sagas.Persistence;

namespace Orchestrator.Tests.Api.Tasks;

/// <summary>Tasks submitted together are recorded in one transaction, and one that cannot be recorded fails alone.</summary>
public sealed class TaskRecorderTests : IAsyncLifetime, IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"orchestrator-recorder-{Guid.NewGuid():N}.db");
    readonly CountedMeasurements _transactions = new(DatabaseMetrics.TransactionsName);
    ServiceProvider _services = null!;

    string ConnectionString => $"Data Source={_file}";

    public async Task InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddScoped<OrchestratorDbContext>(_ => ProviderOptions.CreateContext(DatabaseProvider.Sqlite, ConnectionString))
            .BuildServiceProvider();
        await using var db = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, ConnectionString);
        await db.Database.EnsureCreatedAsync();
    }

    [Fact]
    public async Task Submissions_that_wait_for_the_writer_together_are_recorded_in_one_transaction()
    {
        using var recorder = NewRecorder();
        _transactions.CountThisFlow();

        var recorded = await WhileTheWriterIsHeldAsync(recorder, [.. Enumerable.Range(0, 20).Select(_ => NewTask())]);

        await Task.WhenAll(recorded);
        Assert.Equal(21, await CountAsync());
        // The first task's transaction waited for the writer, and took the twenty that queued meanwhile with it.
        Assert.Equal(1, _transactions.Count);
    }

    [Fact]
    public async Task A_task_that_cannot_be_recorded_fails_alone_and_the_others_of_its_transaction_are_recorded()
    {
        using var recorder = NewRecorder();
        var (first, second) = (NewTask(), NewTask());
        (first.SubmissionKey, second.SubmissionKey) = ("same-key", "same-key");

        var recorded = await WhileTheWriterIsHeldAsync(recorder, [NewTask(), first, NewTask(), second, NewTask()]);

        var outcomes = await Task.WhenAll(recorded.Select(async r => { try { await r; return null; } catch (DbUpdateException e) { return e; } }));
        Assert.Single(outcomes, e => e is not null);
        Assert.Null(outcomes[1]);
        Assert.NotNull(outcomes[3]);
        Assert.Equal(5, await CountAsync());
    }

    /// <summary>
    /// Records one task while another connection holds SQLite's writer, queues <paramref name="tasks"/> behind it, then
    /// lets the writer go.
    /// </summary>
    async Task<List<Task>> WhileTheWriterIsHeldAsync(TaskRecorder recorder, IReadOnlyList<ResearchTaskState> tasks)
    {
        await using var holder = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, ConnectionString);
        var hold = await holder.Database.BeginTransactionAsync();
        var firstTask = recorder.RecordAsync(NewTask());
        await Task.Delay(200);
        var queued = tasks.Select(recorder.RecordAsync).ToList();
        await Task.Delay(200);
        Assert.False(firstTask.IsCompleted);
        Assert.DoesNotContain(queued, t => t.IsCompleted);
        await hold.RollbackAsync();
        await hold.DisposeAsync();
        await firstTask.WaitAsync(TimeSpan.FromSeconds(10));
        return queued;
    }

    TaskRecorder NewRecorder() =>
        new(_services.GetRequiredService<IServiceScopeFactory>(), Microsoft.Extensions.Options.Options.Create(new DatabaseOptions()));

    async Task<int> CountAsync()
    {
        await using var db = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, ConnectionString);
        return await db.ResearchTasks.IgnoreAutoIncludes().CountAsync();
    }

    static ResearchTaskState NewTask() =>
        ResearchTaskState.Accept(Guid.NewGuid(), "Solar", 10, "voice", "owner", DateTime.UtcNow);

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    public void Dispose() => _transactions.Dispose();
}
