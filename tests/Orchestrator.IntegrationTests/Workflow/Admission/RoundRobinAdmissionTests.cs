using System.Globalization;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;
using Orchestrator.Workflow.Admission;
using Orchestrator.Workflow.Hosting;

namespace Orchestrator.IntegrationTests.Workflow.Admission;

/// <summary>
/// Admission's ranking on each database the service runs on: one round takes the owners in turn, counting what each
/// already runs, whatever one of them queued. Tasks are recorded straight into the table; what admission starts is
/// read from the <see cref="TaskAccepted"/> messages it sends.
/// </summary>
public sealed class RoundRobinAdmissionTests
{
    const int Slots = 7;

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_free_slots_go_to_the_owners_running_least_before_an_owner_with_thousands_queued(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await StartAsync(database);
        var at = DateTime.UtcNow.AddMinutes(-1);

        // alice runs 2 and queued 1,000 first; carol runs 1 and queued 1 later; bob queued 1 and dave 2, later still.
        var alicesQueue = Enumerable.Range(0, 1000).Select(i => Waiting("alice", at.AddMilliseconds(i))).ToList();
        var carols = Waiting("carol", at.AddSeconds(15));
        var bobs = Waiting("bob", at.AddSeconds(20));
        var daves = new[] { Waiting("dave", at.AddSeconds(30)), Waiting("dave", at.AddSeconds(31)) };
        await RecordAsync(services, [Working("alice", at), Working("alice", at), Working("carol", at), .. alicesQueue, carols, bobs, .. daves]);

        var admission = services.GetRequiredService<TaskAdmission>();
        Assert.Equal(Slots - 3, await admission.AdmitAsync(CancellationToken.None));

        // Turns: bob 1, dave 1 and 2, carol 1 + 1 running, alice 1 + 2 running and on: the 4 free slots are theirs.
        var harness = services.GetRequiredService<ITestHarness>();
        Assert.True(await harness.Published.Any<TaskAccepted>());
        var started = harness.Published.Select<TaskAccepted>().Select(m => m.Context.Message.TaskId).ToHashSet();
        Assert.Equal(new[] { bobs, daves[0], daves[1], carols }.Select(t => t.CorrelationId).ToHashSet(), started);
        Assert.Equal(0, await admission.AdmitAsync(CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task One_owners_tasks_start_oldest_first(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await StartAsync(database);
        var at = DateTime.UtcNow.AddMinutes(-1);
        var oldestFirst = Enumerable.Range(0, 20).Select(i => Waiting("alice", at.AddSeconds(i))).ToList();
        await RecordAsync(services, [.. oldestFirst.AsEnumerable().Reverse()]);

        Assert.Equal(Slots, await services.GetRequiredService<TaskAdmission>().AdmitAsync(CancellationToken.None));

        var harness = services.GetRequiredService<ITestHarness>();
        Assert.True(await harness.Published.Any<TaskAccepted>());
        Assert.Equal(
            oldestFirst.Take(Slots).Select(t => t.CorrelationId),
            harness.Published.Select<TaskAccepted>().Select(m => m.Context.Message.TaskId));
    }

    static ResearchTaskState Waiting(string owner, DateTime createdAt) =>
        ResearchTaskState.Accept(Guid.NewGuid(), "Tesla Inc", 20, "v", owner, createdAt);

    static ResearchTaskState Working(string owner, DateTime createdAt)
    {
        var task = Waiting(owner, createdAt.AddMinutes(-1));
        task.CurrentState = "Discovering";
        return task;
    }

    /// <summary>Admission alone, on the test's database, with a bus that only records what is sent.</summary>
    static async Task<ServiceProvider> StartAsync(TestDatabase database)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            [$"ConnectionStrings:{DatabaseRegistration.ConnectionStringName}"] = database.ConnectionString,
            ["Workflow:MaxConcurrentTasks"] = Slots.ToString(CultureInfo.InvariantCulture),
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WatchedTasks>();
        builder.Services.AddSingleton<ResearchTaskStateMachine>();
        builder.AddOrchestratorDatabase();
        builder.AddResearchClients();
        builder.AddTaskAdmission();
        builder.Services.AddMassTransitTestHarness();

        var services = builder.Services.BuildServiceProvider(validateScopes: true);
        await services.MigrateOrchestratorDatabaseAsync();
        await services.GetRequiredService<ITestHarness>().Start();
        return services;
    }

    static async Task RecordAsync(IServiceProvider services, IReadOnlyList<ResearchTaskState> tasks)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        db.ResearchTasks.AddRange(tasks);
        await db.SaveChangesAsync();
    }
}
