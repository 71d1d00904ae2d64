using System.Data.Common;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Orchestrator.Sagas.Persistence.SagaRepository;

/// <summary>
/// Gives each consumed message one scoped <typeparamref name="TDbContext"/> and one transaction, run inside the
/// provider's execution strategy (so a transient database fault replays the whole unit). Any exception rolls
/// the transaction back and is rethrown, leaving the retry decision to the endpoint's <c>UseMessageRetry</c>.
/// </summary>
public sealed class EfCoreSagaRepositoryContextFactory<TSaga, TDbContext>
    : ISagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
    where TDbContext : DbContext
{
    readonly TDbContext _db;
    readonly ISagaConsumeContextFactory<DbContext, TSaga> _consumeContextFactory;

    public EfCoreSagaRepositoryContextFactory(TDbContext db, ISagaConsumeContextFactory<DbContext, TSaga> consumeContextFactory)
    {
        _db = db;
        _consumeContextFactory = consumeContextFactory;
    }

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        InTransaction(async () =>
        {
            var repositoryContext = new EfCoreSagaRepositoryContext<TSaga, T>(_db, context, _consumeContextFactory);
            await next.Send(repositoryContext);
            return true;
        }, context.CancellationToken);

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class =>
        InTransaction(async () =>
        {
            var instances = await _db.Set<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
            var repositoryContext = new EfCoreSagaRepositoryContext<TSaga, T>(_db, context, _consumeContextFactory);
            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
            return true;
        }, context.CancellationToken);

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new EfCoreSagaQueryContext<TSaga>(_db, cancellationToken));

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        asyncMethod(new EfCoreSagaQueryContext<TSaga>(_db, cancellationToken));

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "entity-framework-core");
        context.Add("provider", _db.Database.ProviderName ?? "unknown");
    }

    Task<TResult> InTransaction<TResult>(Func<Task<TResult>> work, CancellationToken cancellationToken) =>
        _db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            _db.ChangeTracker.Clear();
            await using var transaction = await _db.Database.BeginTransactionAsync(ct);
            // The whole unit commits or rolls back: a savepoint before each SaveChanges would cost a round trip and
            // protect nothing.
            _db.Database.AutoSavepointsEnabled = false;
            try
            {
                var result = await work();
                await transaction.CommitAsync(ct);
                return result;
            }
            catch
            {
                await RollbackQuietly(transaction);
                throw;
            }
            finally
            {
                _db.Database.AutoSavepointsEnabled = true;
            }
        }, cancellationToken);

    /// <summary>The original failure matters more than a rollback on a broken connection.</summary>
    static async Task RollbackQuietly(IDbContextTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // the database drops the transaction with the connection
        }
    }
}
