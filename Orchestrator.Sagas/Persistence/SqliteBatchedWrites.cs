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
    /// <summary>
    /// At most this many statements in one command. Small, because binding grows with its square: Microsoft.Data.Sqlite
    /// offers every parameter of a command to each of its statements (a name lookup in SQLite, and the name encoded
    /// again, for each pair), so a command of S statements of p parameters costs S² × p lookups. A task's row has
    /// about 40 parameters. Measured with the benchmark's <c>intake</c> (POST /tasks, whose rows are written 64 tasks
    /// to a transaction): Api CPU per POST 1.75 ms at 32, 1.49 at 16, 1.26-1.33 at 2 to 8, 1.43 at 1 (one command a
    /// row); a saga step (6 statements) cost the same at 1, 4 and 32 (<c>floor</c>).
    /// </summary>
    public const int MaxStatements = 4;

    public ModificationCommandBatch Create() => new Batch(dependencies);

    sealed class Batch(ModificationCommandBatchFactoryDependencies dependencies) : AffectedCountModificationCommandBatch(dependencies, MaxStatements);
}
