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

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OrchestratorDbContext).Assembly);
}

public sealed class SqliteOrchestratorDbContext(DbContextOptions<SqliteOrchestratorDbContext> options)
    : OrchestratorDbContext(options);

public sealed class PostgresOrchestratorDbContext(DbContextOptions<PostgresOrchestratorDbContext> options)
    : OrchestratorDbContext(options);

public sealed class SqlServerOrchestratorDbContext(DbContextOptions<SqlServerOrchestratorDbContext> options)
    : OrchestratorDbContext(options);
