using Microsoft.EntityFrameworkCore;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// The saga's database. One subclass per provider carries that provider's migrations; code depends on this type.
/// </summary>
public abstract class OrchestratorDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<ResearchTaskState> ResearchTasks => Set<ResearchTaskState>();
    public DbSet<ResearchTaskTransition> Transitions => Set<ResearchTaskTransition>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    /// <summary>The tasks as a read: not tracked, and without their purchases (a query that needs them includes them).</summary>
    public IQueryable<ResearchTaskState> UntrackedTasks => ResearchTasks.AsNoTracking().IgnoreAutoIncludes();

    /// <summary>
    /// Records a new task, or changes nothing when its id is recorded already; returns the state stored under the id.
    /// </summary>
    public async Task<string> RecordTaskAsync(ResearchTaskState task, CancellationToken cancellationToken)
    {
        if (await StoredStateAsync(task.CorrelationId, cancellationToken) is { } stored)
            return stored;

        ResearchTasks.Add(task);
        try
        {
            await SaveChangesAsync(cancellationToken);
            return task.CurrentState;
        }
        catch (DbUpdateException)
        {
            ChangeTracker.Clear();
            return await StoredStateAsync(task.CorrelationId, cancellationToken) ?? throw new InvalidOperationException($"Task {task.CorrelationId} could not be recorded");
        }
    }

    Task<string?> StoredStateAsync(Guid taskId, CancellationToken cancellationToken) =>
        UntrackedTasks.Where(t => t.CorrelationId == taskId).Select(t => t.CurrentState).FirstOrDefaultAsync(cancellationToken);

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OrchestratorDbContext).Assembly);
}

public sealed class SqliteOrchestratorDbContext(DbContextOptions<SqliteOrchestratorDbContext> options)
    : OrchestratorDbContext(options);

public sealed class PostgresOrchestratorDbContext(DbContextOptions<PostgresOrchestratorDbContext> options)
    : OrchestratorDbContext(options);

public sealed class SqlServerOrchestratorDbContext(DbContextOptions<SqlServerOrchestratorDbContext> options)
    : OrchestratorDbContext(options)
{
    /// <summary>Compares code points: "Alice" and "alice" are two owners, as on SQLite and PostgreSQL.</summary>
    public const string BinaryCollation = "Latin1_General_100_BIN2";

    /// <summary>
    /// SQL Server's default collation compares text case-insensitively, so one owner's tasks (and their
    /// <c>Idempotency-Key</c>s) would match another's whose id differs only in case: owner ids and keys compare
    /// byte for byte.
    /// </summary>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ResearchTaskState>(task =>
        {
            task.Property(x => x.OwnerId).UseCollation(BinaryCollation);
            task.Property(x => x.SubmissionKey).UseCollation(BinaryCollation);
        });
        modelBuilder.Entity<OwnerSpendingDay>().Property(x => x.OwnerId).UseCollation(BinaryCollation);
    }
}
