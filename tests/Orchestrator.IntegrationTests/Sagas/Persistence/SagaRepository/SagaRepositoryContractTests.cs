using MassTransit;
using MassTransit.Saga;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Sagas.Persistence.SagaRepository;

namespace Orchestrator.IntegrationTests.Sagas.Persistence.SagaRepository;

/// <summary>
/// The contract of our EF Core saga repository, through MassTransit's own saga pipeline on a real database:
/// what a first event inserts, what later events load and update, how concurrent events of one saga serialize,
/// and what a duplicate first event or an event for a missing saga does.
/// </summary>
public abstract class SagaRepositoryContractTests(DatabaseProvider provider) : IAsyncLifetime
{
    const int ParallelEvents = 25;

    TestDatabase _database = null!;
    ServiceProvider _services = null!;
    ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        var services = new ServiceCollection();
        services.AddDbContext<CounterDbContext>(db => db.UseProvider(_database.Provider, _database.ConnectionString));
        services.AddMassTransitTestHarness(bus =>
            bus.AddSagaStateMachine<CounterStateMachine, CounterState>((context, saga) =>
                {
                    saga.ConcurrentMessageLimit = 16;
                    saga.UseMessageRetry(r => r.Exponential(100, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(15)));
                    saga.UseInMemoryOutbox(context);
                })
                .EfCoreRepository<CounterState, CounterDbContext>());
        _services = services.BuildServiceProvider(validateScopes: true);

        await using (var scope = _services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<CounterDbContext>().Database.EnsureCreatedAsync();

        _harness = _services.GetRequiredService<ITestHarness>();
        _harness.TestTimeout = TimeSpan.FromSeconds(30);
        await _harness.Start();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task The_first_event_inserts_the_saga_with_version_1()
    {
        var id = Guid.NewGuid();

        await StartAsync(id);

        var stored = await LoadAsync(id);
        Assert.NotNull(stored);
        Assert.Equal("Counting", stored.CurrentState);
        Assert.Equal(1, stored.Version);
        Assert.Equal(1, stored.Starts);
    }

    [Fact]
    public async Task A_later_event_loads_updates_and_raises_the_version()
    {
        var id = Guid.NewGuid();
        await StartAsync(id);

        await IncrementAsync(id, 1);
        await IncrementAsync(id, 2);

        var stored = await EventuallyAsync(id, c => c?.Count == 2);
        Assert.Equal(2, stored!.Count);
        Assert.Equal(3, stored.Version);
    }

    [Fact]
    public async Task Concurrent_events_of_one_saga_all_apply_once()
    {
        var id = Guid.NewGuid();
        await StartAsync(id);

        await Task.WhenAll(Enumerable.Range(0, ParallelEvents).Select(_ => _harness.Bus.Publish(new CounterIncremented(id))));

        var stored = await EventuallyAsync(id, c => c?.Count >= ParallelEvents);
        Assert.Equal(ParallelEvents, stored!.Count);
        Assert.Equal(ParallelEvents + 1, stored.Version);
        Assert.False(await _harness.Published.Any<Fault<CounterIncremented>>());
    }

    [Fact]
    public async Task A_duplicate_first_event_ends_in_one_saga_without_faults()
    {
        var id = Guid.NewGuid();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _harness.Bus.Publish(new CounterStarted(id))));
        await ConsumedAsync<CounterStarted>(x => x.Context.Message.CounterId == id, 4);

        await using var scope = _services.CreateAsyncScope();
        var counters = await scope.ServiceProvider.GetRequiredService<CounterDbContext>().Counters.AsNoTracking()
            .Where(c => c.CorrelationId == id).ToListAsync();
        Assert.Equal(1, Assert.Single(counters).Starts);
        Assert.False(await _harness.Published.Any<Fault<CounterStarted>>());
    }

    [Fact]
    public async Task An_event_for_a_missing_saga_is_discarded_and_stores_nothing()
    {
        var id = Guid.NewGuid();

        await IncrementAsync(id, 1);

        Assert.Null(await LoadAsync(id));
        Assert.False(await _harness.Published.Any<Fault<CounterIncremented>>());
    }

    [Fact]
    public async Task The_query_and_load_repositories_read_what_was_stored()
    {
        var id = Guid.NewGuid();
        await StartAsync(id);

        var load = _services.GetRequiredService<ILoadSagaRepository<CounterState>>();
        var query = _services.GetRequiredService<IQuerySagaRepository<CounterState>>();

        Assert.Equal("Counting", (await load.Load(id))?.CurrentState);
        Assert.Contains(id, await query.Find(new SagaQuery<CounterState>(c => c.CurrentState == "Counting")));
    }

    async Task StartAsync(Guid id)
    {
        await _harness.Bus.Publish(new CounterStarted(id));
        await ConsumedAsync<CounterStarted>(x => x.Context.Message.CounterId == id, 1);
    }

    /// <summary>Publishes the <paramref name="nth"/> increment of the counter and waits until it is consumed.</summary>
    async Task IncrementAsync(Guid id, int nth)
    {
        await _harness.Bus.Publish(new CounterIncremented(id));
        await ConsumedAsync<CounterIncremented>(x => x.Context.Message.CounterId == id, nth);
    }

    async Task ConsumedAsync<T>(FilterDelegate<IReceivedMessage<T>> match, int count)
        where T : class =>
        Assert.Equal(count, await AsyncEnumerable.Take(_harness.Consumed.SelectAsync(match), count).CountAsync());

    /// <summary>Polls the stored saga until <paramref name="done"/> holds (or gives up) and returns it.</summary>
    async Task<CounterState?> EventuallyAsync(Guid id, Func<CounterState?, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        CounterState? stored;
        while (!done(stored = await LoadAsync(id)) && DateTime.UtcNow < deadline)
            await Task.Delay(25);
        return stored;
    }

    async Task<CounterState?> LoadAsync(Guid id)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CounterDbContext>().Counters.AsNoTracking()
            .SingleOrDefaultAsync(c => c.CorrelationId == id);
    }
}

public sealed class SagaRepositoryOnSqliteTests() : SagaRepositoryContractTests(DatabaseProvider.Sqlite);

public sealed class SagaRepositoryOnPostgresTests() : SagaRepositoryContractTests(DatabaseProvider.Postgres);
