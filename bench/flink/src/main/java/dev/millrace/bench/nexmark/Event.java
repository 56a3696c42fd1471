package dev.millrace.bench.nexmark;

/** One generated event: exactly one of person, auction, bid is set, as told by {@code type}. */
public class Event {
  public static final int PERSON = 0;
  public static final int AUCTION = 1;
  public static final int BID = 2;

  public int type;
  public Person person;
  public Auction auction;
  public Bid bid;

  public Event() {}

  public static Event of(Person person) {
    Event e = new Event();
    e.type = PERSON;
    e.person = person;
    return e;
  }

  public static Event of(Auction auction) {
    Event e = new Event();
    e.type = AUCTION;
    e.auction = auction;
    return e;
  }

  public static Event of(Bid bid) {
    Event e = new Event();
    e.type = BID;
    e.bid = bid;
    return e;
  }

  public long dateTime() {
    return type == PERSON ? person.dateTime : type == AUCTION ? auction.dateTime : bid.dateTime;
  }
}
