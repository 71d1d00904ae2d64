using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Sagas.Persistence.SagaRepository;

/// <summary>Read-only access to stored sagas, outside any message: queries and loads, untracked.</summary>
public sealed class EfCoreSagaQueryContext<TSaga> : BasePipeContext, QuerySagaRepositoryContext<TSaga>, LoadSagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    readonly DbContext _db;

    public EfCoreSagaQueryContext(DbContext db, CancellationToken cancellationToken)
        : base(cancellationToken) =>
        _db = db;

    public async Task<TSaga> Load(Guid correlationId) =>
        (await _db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(saga => saga.CorrelationId == correlationId, CancellationToken))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken)
    {
        var ids = await _db.Set<TSaga>().AsNoTracking()
            .Where(query.FilterExpression)
            .Select(saga => saga.CorrelationId)
            .ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }
}
