using Microsoft.EntityFrameworkCore.Update;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// SaveChanges on SQLite sends its statements in batches, as it does on PostgreSQL and SQL Server: EF Core's SQLite
/// provider sends one command per row (a saga step writes 4-12: its audit rows, its transition, the purchases and
/// the task), and each command costs EF Core and Microsoft.Data.Sqlite a command object, its parameters, a reader and
/// the interceptors' and diagnostics' events. SQLite still runs the statements one after the other, in the same
/// transaction, and each reports its rows (<c>RETURNING</c>), so a lost optimistic-concurrency race fails as before.
/// </summary>
sealed class SqliteBatchedWrites(ModificationCommandBatchFactoryDependencies dependencies) : IModificationCommandBatchFactory
{
    /// <summary>At most this many statements in one command.</summary>
    public const int MaxStatements = 32;

    public ModificationCommandBatch Create() => new Batch(dependencies);

    sealed class Batch(ModificationCommandBatchFactoryDependencies dependencies) : AffectedCountModificationCommandBatch(dependencies, MaxStatements);
}
