using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Sagas.Persistence.SagaRepository;

/// <summary>
/// The saga's load, compiled once (per model): every message of every task runs it, and a LINQ query is otherwise walked, hashed
/// and looked up in EF Core's query cache on each run.
/// </summary>
static class SagaQueries<TSaga>
    where TSaga : class, ISaga
{
    static readonly CompiledPerModel<Func<DbContext, Guid, CancellationToken, Task<TSaga?>>> Compiled = new(() =>
        EF.CompileAsyncQuery((DbContext db, Guid correlationId, CancellationToken _) =>
            db.Set<TSaga>().SingleOrDefault(saga => saga.CorrelationId == correlationId)));

    public static Task<TSaga?> LoadAsync(DbContext db, Guid correlationId, CancellationToken cancellationToken) =>
        Compiled.For(db)(db, correlationId, cancellationToken);
}
