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

    /// <summary>How many of each part one workflow of the embedded default uses (docs/performance.md: counted).</summary>
    static readonly (string Part, double PerWorkflow, string Counted)[] Parts =
    [
        ("bus message", 11, "messages consumed per workflow"),
        ("HTTP exchange", 15, "12 with the simulators, the POST and about 2 polls"),
        ("saga step (SQLite, EF Core)", 6, "6 saga transactions"),
        ("of which begin, load and commit", 0, "the step above without its changes and save: not added again"),
        ("the same step in SQL of its own", 0, "Microsoft.Data.Sqlite, each command prepared once per connection: not added"),
        ("the same SQL, commands made anew", 0, "as EF Core makes them, so SQLite compiles them again: not added"),
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
        var (step, load, raw, rawUnprepared, write, read) = await DatabaseAsync(operations / 4);
        measured[Parts[2].Part] = step;
        measured[Parts[3].Part] = load;
        measured[Parts[4].Part] = raw;
        measured[Parts[5].Part] = rawUnprepared;
        measured[Parts[6].Part] = write;
        measured[Parts[7].Part] = read;

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

    static async Task<(double Step, double Load, double Raw, double RawUnprepared, double Write, double Read)> DatabaseAsync(int operations)
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
            // The same unit in SQL of its own: one connection per loop, its commands prepared once, the same writer
            // turn (a semaphore, as the service's writer queue), every column of the load read as a value.
            var writer = new SemaphoreSlim(1);
            var connectionString = builder.Configuration["ConnectionStrings:Orchestrator"]!;
            async Task<double> RawAsync(bool prepared)
            {
                var connections = new System.Collections.Concurrent.ConcurrentBag<RawStep>();
                async Task Raw(int i)
                {
                    if (!connections.TryTake(out var raw))
                        raw = await RawStep.OpenAsync(connectionString, prepared);
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

                var cpu = await BestOfAsync(() => TimedAsync(operations, Raw));
                foreach (var connection in connections)
                    await connection.DisposeAsync();
                return cpu;
            }

            Task Write(int i) => InScope(db => db.Set<ResearchTaskPurchase>()
                .Where(p => p.TaskId == tasks[i % Concurrency] && p.ItemId == 1)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.PaymentClaimedUntil, DateTime.UtcNow)));
            Task Read(int i) => InScope(db => db.Set<ResearchTaskState>().AsNoTracking()
                .Where(t => t.CorrelationId == tasks[i % Concurrency])
                .Select(t => new { t.CurrentState, t.Spent, t.Budget })
                .SingleAsync());

            return (await BestOfAsync(() => TimedAsync(operations, Step)),
                await BestOfAsync(() => TimedAsync(operations, LoadOnly)),
                await RawAsync(prepared: true),
                await RawAsync(prepared: false),
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

/// <summary>A saga step's unit of work in SQL of its own, on one open connection, each command prepared once.</summary>
sealed class RawStep : IAsyncDisposable
{
    readonly Microsoft.Data.Sqlite.SqliteConnection _connection;
    readonly Microsoft.Data.Sqlite.SqliteCommand _load;
    readonly Microsoft.Data.Sqlite.SqliteCommand _task;
    readonly Microsoft.Data.Sqlite.SqliteCommand _purchase;
    readonly Microsoft.Data.Sqlite.SqliteCommand _transition;
    readonly Microsoft.Data.Sqlite.SqliteCommand _audit;

    readonly bool _prepared;

    RawStep(Microsoft.Data.Sqlite.SqliteConnection connection, bool prepared)
    {
        _connection = connection;
        _prepared = prepared;
        _load = Command("""
            SELECT t.*, p.* FROM research_tasks AS t LEFT JOIN research_task_purchases AS p ON p.task_id = t.task_id
            WHERE t.task_id = $id ORDER BY p.item_id
            """, "$id");
        _task = Command("UPDATE research_tasks SET current_state = $state, updated_at = $now, version = version + 1 WHERE task_id = $id", "$state", "$now", "$id");
        _purchase = Command("UPDATE research_task_purchases SET payment_attempts = payment_attempts + 1, paid_at = $now WHERE task_id = $id AND item_id = $item", "$now", "$id", "$item");
        _transition = Command("""
            INSERT INTO research_task_transitions (task_id, from_state, to_state, event, at) VALUES ($id, 'Paying', 'Retrying', 'ItemPaymentsMade', $now) RETURNING id
            """, "$id", "$now");
        _audit = Command("""
            INSERT INTO audit_events (task_id, at, actor, action, item_id, amount, idempotency_key, outcome)
            VALUES ($id, $now, 'system', 'payment_settled', $item, 1000, $key, 'paid') RETURNING id
            """, "$id", "$now", "$item", "$key");
    }

    /// <summary>
    /// Opens a connection for the step; <paramref name="prepared"/> false makes each command anew on every run, as
    /// EF Core does (Microsoft.Data.Sqlite then compiles its statements again).
    /// </summary>
    public static async Task<RawStep> OpenAsync(string connectionString, bool prepared)
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using (var synchronous = connection.CreateCommand())
        {
            // As the service's connections (SqliteTuning): the file is in WAL mode, and a commit does not wait for an fsync.
            synchronous.CommandText = "PRAGMA synchronous = NORMAL";
            await synchronous.ExecuteNonQueryAsync();
        }

        return new RawStep(connection, prepared);
    }

    Microsoft.Data.Sqlite.SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
            command.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    /// <summary>The command itself when prepared once; else a new one with its text and values, disposed by the caller.</summary>
    Microsoft.Data.Sqlite.SqliteCommand Use(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        if (_prepared)
            return command;
        var fresh = _connection.CreateCommand();
        fresh.CommandText = command.CommandText;
        fresh.Transaction = command.Transaction;
        foreach (Microsoft.Data.Sqlite.SqliteParameter parameter in command.Parameters)
            fresh.Parameters.AddWithValue(parameter.ParameterName, parameter.Value);
        return fresh;
    }

    /// <summary>Runs <paramref name="command"/> with its parameters' values, in their order.</summary>
    async Task ExecuteAsync(Microsoft.Data.Sqlite.SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i];
        var used = Use(command);
        try
        {
            _ = await used.ExecuteScalarAsync();
        }
        finally
        {
            if (!_prepared)
                await used.DisposeAsync();
        }
    }

    public async Task RunAsync(Guid taskId, int i)
    {
        var id = taskId.ToString().ToUpperInvariant();
        var now = DateTime.UtcNow;
        await using var transaction = _connection.BeginTransaction();
        foreach (var command in new[] { _load, _task, _purchase, _transition, _audit })
            command.Transaction = transaction;

        _load.Parameters[0].Value = id;
        var values = new object[128];
        var load = Use(_load);
        await using (var reader = await load.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                reader.GetValues(values);
        }

        if (!_prepared)
            await load.DisposeAsync();

        await ExecuteAsync(_task, i % 2 == 0 ? "Paying" : "Retrying", now, id);
        for (var item = 1; item <= 2; item++)
            await ExecuteAsync(_purchase, now, id, item);
        await ExecuteAsync(_transition, id, now);
        for (var item = 1; item <= 2; item++)
            await ExecuteAsync(_audit, id, now, item, $"{taskId:N}-{item}");

        await transaction.CommitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _load, _task, _purchase, _transition, _audit })
            await command.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
