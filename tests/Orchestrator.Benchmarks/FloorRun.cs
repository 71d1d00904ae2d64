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
/// <item>a write outside a saga step (a claim, a lease, the token): one <c>ExecuteUpdate</c> committing alone;</item>
/// <item>a read outside a saga step: one untracked projection of a task.</item>
/// </list>
/// </summary>
static class FloorRun
{
    /// <summary>Operations at once: about what a burst keeps in flight (the in-memory bus's consumers, the writer queue).</summary>
    const int Concurrency = 8;

    /// <summary>How many of each part one workflow of the embedded default uses (docs/performance.md: counted).</summary>
    static readonly (string Part, double PerWorkflow, string Counted)[] Parts =
    [
        ("bus message", 11, "messages consumed per workflow"),
        ("HTTP exchange", 15, "12 with the simulators, the POST and about 2 polls"),
        ("saga step (SQLite, EF Core)", 6, "6 saga transactions"),
        ("of which begin, load and commit", 0, "the step above without its changes and save: not added again"),
        ("write outside a step", 7, "13 transactions less the 6 steps"),
        ("read outside a step", 7, "13.1 reads less the 6 loads"),
    ];

    public static async Task<int> RunAsync(int operations)
    {
        var measured = new Dictionary<string, double>
        {
            [Parts[0].Part] = await BestOfAsync(() => BusAsync(operations)),
            [Parts[1].Part] = await BestOfAsync(() => HttpAsync(operations)),
        };
        var (step, load, write, read) = await DatabaseAsync(operations / 4);
        measured[Parts[2].Part] = step;
        measured[Parts[3].Part] = load;
        measured[Parts[4].Part] = write;
        measured[Parts[5].Part] = read;

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

    static async Task<(double Step, double Load, double Write, double Read)> DatabaseAsync(int operations)
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

            // One loop per task, as the saga's steps of one task never run at once.
            Task Step(int i) => InScope(async db =>
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
            Task LoadOnly(int i) => InScope(async db =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                _ = await LoadTask(db, tasks[i % Concurrency], default);
                await transaction.CommitAsync();
            });
            Task Write(int i) => InScope(db => db.Set<ResearchTaskPurchase>()
                .Where(p => p.TaskId == tasks[i % Concurrency] && p.ItemId == 1)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.PaymentClaimedUntil, DateTime.UtcNow)));
            Task Read(int i) => InScope(db => db.Set<ResearchTaskState>().AsNoTracking()
                .Where(t => t.CorrelationId == tasks[i % Concurrency])
                .Select(t => new { t.CurrentState, t.Spent, t.Budget })
                .SingleAsync());

            return (await BestOfAsync(() => TimedAsync(operations, Step)),
                await BestOfAsync(() => TimedAsync(operations, LoadOnly)),
                await BestOfAsync(() => TimedAsync(operations, Write)),
                await BestOfAsync(() => TimedAsync(operations, Read)));
        }
        finally
        {
            SqliteClearPools();
            folder.Delete(recursive: true);
        }
    }

    static void SqliteClearPools() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

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
