using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Sagas.Persistence.SagaRepository;

/// <summary>
/// One message's view of the saga table: loads the instance tracked, inserts a new one, and saves the state the
/// state machine left. Runs inside the transaction opened by <see cref="EfCoreSagaRepositoryContextFactory{TSaga,TDbContext}"/>.
/// Concurrency is optimistic: an <see cref="ISagaVersion"/> saga gets its version raised on every update, and
/// the version column, mapped as a concurrency token, turns a lost race into a
/// <see cref="DbUpdateConcurrencyException"/> that the endpoint's message retry answers with a fresh load.
/// </summary>
public sealed class EfCoreSagaRepositoryContext<TSaga, TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    readonly DbContext _db;
    readonly ConsumeContext<TMessage> _consumeContext;
    readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;

    public EfCoreSagaRepositoryContext(DbContext db, ConsumeContext<TMessage> consumeContext, ISagaConsumeContextFactory<DbContext, TSaga> factory)
        : base(consumeContext, db)
    {
        _db = db;
        _consumeContext = consumeContext;
        _factory = factory;
    }

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        var entry = _db.Set<TSaga>().Add(instance);
        SetInitialVersion(instance);
        // The one write expected to fail (a duplicate): a savepoint keeps the transaction usable for the fallback
        // Load (PostgreSQL aborts the whole transaction on a failed statement). Every other write goes without one.
        _db.Database.AutoSavepointsEnabled = true;
        try
        {
            await _db.SaveChangesAsync(CancellationToken);
        }
        catch (DbUpdateException)
        {
            // Most likely a duplicate: forget the entry so that the pipe's fallback Load reads the stored one.
            entry.State = EntityState.Detached;
            return null!;
        }
        finally
        {
            _db.Database.AutoSavepointsEnabled = false;
        }

        return await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await SagaQueries<TSaga>.LoadAsync(_db, correlationId, CancellationToken);
        return instance is null
            ? null!
            : await _factory.CreateSagaConsumeContext(_db, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        _db.Set<TSaga>().Add(context.Saga);
        SetInitialVersion(context.Saga);
        await _db.SaveChangesAsync(CancellationToken);
    }

    public async Task Update(SagaConsumeContext<TSaga> context)
    {
        // A message that changed nothing (a late or repeated reply the machine ignored) writes nothing.
        if (!_db.ChangeTracker.HasChanges())
            return;
        if (context.Saga is ISagaVersion versioned)
            versioned.Version++;
        await _db.SaveChangesAsync(CancellationToken);
    }

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        _db.Set<TSaga>().Remove(context.Saga);
        await _db.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        _db.ChangeTracker.Clear();
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_db, consumeContext, instance, mode);

    static void SetInitialVersion(TSaga instance)
    {
        if (instance is ISagaVersion { Version: 0 } versioned)
            versioned.Version = 1;
    }
}
