using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.IntegrationTests.Sagas.Persistence.SagaRepository;

// A saga of the tests' own: the repository is generic, so its contract is shown on something other than the
// research task, with a table created for the test only.

public sealed record CounterStarted(Guid CounterId);

public sealed record CounterIncremented(Guid CounterId);

public sealed class CounterState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public int Version { get; set; }
    public int Count { get; set; }
    public int Starts { get; set; }
}

public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, x => x.CorrelateById(m => m.Message.CounterId));
        Event(() => Incremented, x =>
        {
            x.CorrelateById(m => m.Message.CounterId);
            x.OnMissingInstance(m => m.Discard());
        });

        Initially(When(Started).Then(x => x.Saga.Starts++).TransitionTo(Counting));
        During(Counting,
            When(Incremented).Then(x => x.Saga.Count++),
            Ignore(Started));
    }

    public State Counting { get; private set; } = null!;
    public Event<CounterStarted> Started { get; private set; } = null!;
    public Event<CounterIncremented> Incremented { get; private set; } = null!;
}

public sealed class CounterDbContext(DbContextOptions<CounterDbContext> options) : DbContext(options)
{
    public DbSet<CounterState> Counters => Set<CounterState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<CounterState>(counter =>
        {
            counter.ToTable("counters");
            counter.HasKey(x => x.CorrelationId);
            counter.Property(x => x.CorrelationId).ValueGeneratedNever();
            counter.Property(x => x.CurrentState).HasMaxLength(64);
            counter.Property(x => x.Version).IsConcurrencyToken();
        });
}
