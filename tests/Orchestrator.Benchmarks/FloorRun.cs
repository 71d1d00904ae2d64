using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Benchmarks;

/// <summary>
/// The floor of this design: what the parts every workflow is made of cost on their own, with nothing of the
/// service's around them, in CPU per operation of this process (warm, several at once as under load, the best of
/// three rounds), multiplied by how many of each one workflow needs (counted by the benchmark). A workflow of the
/// embedded default cannot cost less than their sum while it is made of these parts.
/// <list type="bullet">
/// <item>a message through MassTransit's in-memory bus: published, serialized, consumed by a consumer that does nothing;</item>
/// <item>an HTTP exchange on loopback: HttpClient to a Kestrel endpoint answering a small JSON body, both sides here;</item>
/// <item>a saga step's unit of work on the service's own SQLite registration (pooled context, the writer queue):
/// begin, load a task with its 4 purchases, change the task and 2 purchases, add a transition and 2 audit rows,
/// save, commit;</item>
/// <item>beside it, not added: the step's load alone, and the same unit in SQL of its own (Microsoft.Data.Sqlite),
/// its commands prepared once or made anew each time as EF Core makes them: what EF Core and recompiling cost;</item>
/// <item>a write outside a saga step (a claim, a lease, the token): one <c>ExecuteUpdate</c> committing alone;</item>
/// <item>a read outside a saga step: one untracked projection of a task.</item>
/// </list>
/// </summary>
static class FloorRun
{
    /// <summary>Operations at once: about what a burst keeps in flight (the in-memory bus's consumers, the writer queue).</summary>
    const int Concurrency = 8;

    const string Bus = "bus message";
    const string Http = "HTTP exchange";
    const string Step = "saga step (SQLite, EF Core)";
    const string Load = "of which begin, load and commit";
    const string Raw = "the same step in SQL of its own";
    const string RawAnew = "the same SQL, commands made anew";
    const string Write = "write outside a step";
    const string Read = "read outside a step";

    /// <summary>How many of each part one workflow of the embedded default uses (docs/performance.md: counted).</summary>
    static readonly (string Part, double PerWorkflow, string Counted)[] Parts =
    [
        (Bus, 11, "messages consumed per workflow"),
        (Http, 15, "12 with the simulators, the POST and about 2 polls"),
        (Step, 6, "6 saga transactions"),
        (Load, 0, "the step above without its changes and save: not added again"),
        (Raw, 0, "Microsoft.Data.Sqlite, each command prepared once per connection: not added"),
        (RawAnew, 0, "as EF Core makes them, so SQLite compiles them again: not added"),
        (Write, 2.1, "8.1 transactions less the 6 steps: the token's store, the payment step's lease and claims, the intake's share"),
        (Read, 8.9, "14.9 reads less the 6 loads"),
    ];

    public static async Task<int> RunAsync(int operations)
    {
        var measured = await DatabaseAsync(operations / 4);
        measured[Bus] = await BestOfAsync(() => BusAsync(operations));
        measured[Http] = await BestOfAsync(() => HttpAsync(operations));

        var table = new StringBuilder()
            .AppendLine("| part | µs CPU each (best of 3) | per workflow | ms per workflow | counted as |")
            .AppendLine("|---|---:|---:|---:|---|");
        var total = 0.0;
        foreach (var (part, perWorkflow, counted) in Parts)
        {
            var ms = measured[part] * perWorkflow / 1000;
            total += ms;
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {part} | {measured[part]:F1} | {(perWorkflow > 0 ? perWorkflow : "–")} | {(perWorkflow > 0 ? ms.ToString("F2", CultureInfo.InvariantCulture) : "–")} | {counted} |");
        }

        table.AppendLine(CultureInfo.InvariantCulture, $"| **floor of one workflow** | | | **{total:F2}** | target ≤ 8 ms with the simulators |");
        Console.WriteLine(table);
        return 0;
    }

    /// <summary>CPU per operation of this process over a round, the best of three after one to warm up.</summary>
    static async Task<double> BestOfAsync(Func<Task<(TimeSpan Cpu, int Operations)>> round)
    {
        await round();
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var (cpu, count) = await round();
            best = Math.Min(best, cpu.TotalMicroseconds / count);
        }

        return best;
    }

    static async Task<(TimeSpan, int)> TimedAsync(int operations, Func<int, Task> operation, Func<Task>? drained = null)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.TotalProcessorTime;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < operations; i = Interlocked.Increment(ref next))
                await operation(i);
        })));
        if (drained is not null)
            await drained();
        process.Refresh();
        return (process.TotalProcessorTime - before, operations);
    }

    static async Task<(TimeSpan, int)> BusAsync(int operations)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMassTransit(x =>
        {
            x.AddConsumer<FloorConsumer>();
            x.UsingInMemory((context, bus) => bus.ConfigureEndpoints(context));
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            FloorConsumer.Expect(operations);
            var theme = new string('t', 60);
            return await TimedAsync(operations, _ => bus.Publish(new FloorMessage(Guid.NewGuid(), theme)),
                () => FloorConsumer.AllConsumed.WaitAsync(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    static async Task<(TimeSpan, int)> HttpAsync(int operations)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        var item = new FloorItem(7, "A market report on electric vehicles", "Acme Research", 1200, new string('d', 300));
        app.MapGet("/items/{id:int}", (int id) => TypedResults.Json(item with { Id = id }));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
        try
        {
            return await TimedAsync(operations, async i => _ = await client.GetFromJsonAsync<FloorItem>($"/items/{i}"));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    static readonly Func<OrchestratorDbContext, Guid, CancellationToken, Task<ResearchTaskState>> LoadTask =
        EF.CompileAsyncQuery((OrchestratorDbContext db, Guid id, CancellationToken _) => db.Set<ResearchTaskState>().Single(t => t.CorrelationId == id));

    static async Task<Dictionary<string, double>> DatabaseAsync(int operations)
    {
        var folder = Directory.CreateTempSubdirectory("floor-");
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = folder.FullName, EnvironmentName = "Production" });
            builder.Logging.ClearProviders();
            builder.Configuration["ConnectionStrings:Orchestrator"] = $"Data Source={Path.Combine(folder.FullName, "floor.db")}";
            builder.Configuration["Database:MigrateOnStart"] = "false";
            builder.AddOrchestratorDatabase();
            using var host = builder.Build();
            await host.Services.MigrateOrchestratorDatabaseAsync();

            var tasks = Enumerable.Range(0, Concurrency).Select(_ => Guid.NewGuid()).ToArray();
            await using (var scope = host.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
                db.AddRange(tasks.Select(NewTask));
                await db.SaveChangesAsync();
            }

            async Task InScope(Func<OrchestratorDbContext, Task> work)
            {
                await using var scope = host.Services.CreateAsyncScope();
                await work(scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>());
            }

            // Two loops may step the same task at once: the writer queue takes their transactions one at a time, as the
            // saga's, and each loads the task inside its own.
            Task StepAsync(int i) => InScope(async db =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                var task = await LoadTask(db, tasks[i % Concurrency], default);
                var now = DateTime.UtcNow;
                task.UpdatedAt = now;
                task.Version++;
                task.CurrentState = i % 2 == 0 ? "Paying" : "Retrying";
                foreach (var purchase in task.Purchases.Take(2))
                {
                    purchase.PaymentAttempts++;
                    purchase.PaidAt = now;
                }

                task.Transitions.Add(new ResearchTaskTransition { TaskId = task.CorrelationId, FromState = "Paying", ToState = "Retrying", Event = "ItemPaymentsMade", At = now });
                foreach (var purchase in task.Purchases.Take(2))
                    task.AuditEvents.Add(AuditEvent.For(task.CorrelationId, now, AuditEvent.SystemActor, AuditActions.PaymentSettled, "paid", purchase));
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            });
            Task LoadAsync(int i) => InScope(async db =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                _ = await LoadTask(db, tasks[i % Concurrency], default);
                await transaction.CommitAsync();
            });
            // The same unit in SQL of its own: one connection per loop, its commands prepared once, the same writer
            // turn (a semaphore, as the service's writer queue), every column of the load read as a value.
            var writer = new SemaphoreSlim(1);
            var connectionString = builder.Configuration["ConnectionStrings:Orchestrator"]!;
            async Task<double> RawAsync(bool prepared)
            {
                var connections = new System.Collections.Concurrent.ConcurrentBag<RawSagaStep>();
                async Task RunAsync(int i)
                {
                    if (!connections.TryTake(out var raw))
                        raw = await RawSagaStep.OpenAsync(connectionString, prepared);
                    await writer.WaitAsync();
                    try
                    {
                        await raw.RunAsync(tasks[i % Concurrency], i);
                    }
                    finally
                    {
                        writer.Release();
                        connections.Add(raw);
                    }
                }

                var cpu = await BestOfAsync(() => TimedAsync(operations, RunAsync));
                foreach (var connection in connections)
                    await connection.DisposeAsync();
                return cpu;
            }

            Task WriteAsync(int i) => InScope(db => db.Set<ResearchTaskPurchase>()
                .Where(p => p.TaskId == tasks[i % Concurrency] && p.ItemId == 1)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.PaymentClaimedUntil, DateTime.UtcNow)));
            Task ReadAsync(int i) => InScope(db => db.Set<ResearchTaskState>().AsNoTracking()
                .Where(t => t.CorrelationId == tasks[i % Concurrency])
                .Select(t => new { t.CurrentState, t.Spent, t.Budget })
                .SingleAsync());

            return new Dictionary<string, double>
            {
                [Step] = await BestOfAsync(() => TimedAsync(operations, StepAsync)),
                [Load] = await BestOfAsync(() => TimedAsync(operations, LoadAsync)),
                [Raw] = await RawAsync(prepared: true),
                [RawAnew] = await RawAsync(prepared: false),
                [Write] = await BestOfAsync(() => TimedAsync(operations, WriteAsync)),
                [Read] = await BestOfAsync(() => TimedAsync(operations, ReadAsync)),
            };
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    static ResearchTaskState NewTask(Guid id) => new()
    {
        CorrelationId = id,
        CurrentState = "Paying",
        Theme = "electric vehicles in Europe",
        Budget = 10_000,
        OwnerId = "floor",
        CreatedAt = DateTime.UtcNow,
        UpdatedAt = DateTime.UtcNow,
        Purchases = [.. Enumerable.Range(1, 4).Select(item => new ResearchTaskPurchase
        {
            TaskId = id,
            ItemId = item,
            Title = $"Item {item}",
            Company = "Acme Research",
            Price = 1_000,
            Score = 1.0 / item,
            IdempotencyKey = $"{id:N}-{item}",
            Status = PurchaseStatus.Planned,
        })],
    };
}

public sealed record FloorMessage(Guid TaskId, string Theme);

public sealed record FloorItem(int Id, string Title, string Company, long Price, string Summary);

public sealed class FloorConsumer : IConsumer<FloorMessage>
{
    static int _left;
    static TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task AllConsumed => _all.Task;

    public static void Expect(int messages)
    {
        _all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _left, messages);
    }

    public Task Consume(ConsumeContext<FloorMessage> context)
    {
        if (Interlocked.Decrement(ref _left) == 0)
            _all.TrySetResult();
        return Task.CompletedTask;
    }
}
